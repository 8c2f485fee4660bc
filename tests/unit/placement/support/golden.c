/* The shared golden-file helpers (tests/unit/manifestwork/support/golden.h). */
#include "../../manifestwork/support/golden.c"
