/* Subcommand dispatch for choreo-ocm. Add a subcommand: write cmd_<name>.c, declare it in
 * cli.h and add one row to `cmds` below. */
#include "hub-addon/cli.h"

#include <stdio.h>
#include <string.h>

#include "kube/core/xalloc.h"

#ifndef COCM_VERSION
#define COCM_VERSION "0.1.0"
#endif

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("choreo-ocm %s\n", COCM_VERSION);
	return COCM_EXIT_OK;
}

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd cmds[] = {
	{ "run", cocm_cmd_run, "run the hub add-on daemon (watches Releases, writes ManifestWorks)" },
	{ "version", cmd_version, "print the version" },
	{ "render", cocm_cmd_render, "print the ManifestWorks/Placement for Releases (files)" },
	{ "fold", cocm_cmd_fold, "fold ManifestWork status into a Release's status (files)" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: choreo-ocm <command> [flags]\n\n"
		     "choreo-ocm delivers OpenChoreo Releases to data planes through Open Cluster\n"
		     "Management (ManifestWork + Placement) and folds their status back.\n\ncommands:\n");
	for (i = 0; i < COCM_ARRAY_LEN(cmds); i++)
		fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "\nRun 'choreo-ocm <command> --help' for a command's flags.\n");
}

int cocm_cli_main(int argc, char **argv)
{
	size_t i;

	cocm_xalloc_init();
	if (argc < 2) {
		usage(stderr);
		return COCM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
		strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return COCM_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < COCM_ARRAY_LEN(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "choreo-ocm: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return COCM_EXIT_USAGE;
}
