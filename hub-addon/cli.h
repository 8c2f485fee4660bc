/* The choreo-ocm command line: `run` (the daemon), `render`, `fold`, `version`.
 * Exit codes shared by every subcommand: 0 ok, 1 invalid input, 2 usage, 3 runtime failure. */
#ifndef COCM_HUBADDON_CLI_H
#define COCM_HUBADDON_CLI_H

enum {
	COCM_EXIT_OK = 0,
	COCM_EXIT_INPUT = 1,
	COCM_EXIT_USAGE = 2,
	COCM_EXIT_RUNTIME = 3,
};

int cocm_cli_main(int argc, char **argv);

/* Each subcommand: argv[0] is the subcommand name. Defined in cmd_<name>.c; a subcommand not
 * built yet is reported as such by cli.c. */
int cocm_cmd_render(int argc, char **argv);
int cocm_cmd_fold(int argc, char **argv);
int cocm_cmd_run(int argc, char **argv);

#endif
