from ml5.cli import main

main()
