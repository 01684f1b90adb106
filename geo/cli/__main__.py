from geo.cli import main

main(prog_name="eventmap")
