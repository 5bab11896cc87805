from nato_russia.cli import main

main()
