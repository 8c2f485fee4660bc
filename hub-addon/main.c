/* choreo-ocm: entry point only. Subcommands live in hub-addon/cmd_*.c (see cli.h). */
#include "hub-addon/cli.h"

int main(int argc, char **argv)
{
	return cocm_cli_main(argc, argv);
}
