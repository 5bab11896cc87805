from nato_russia.entry import main

main()
