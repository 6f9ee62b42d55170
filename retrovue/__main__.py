from retrovue.cli.main import main

main()
