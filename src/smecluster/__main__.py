from smecluster.cli import main

main()
