#include "../../manifestwork/support/golden.h"
