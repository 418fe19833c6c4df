#include "arch/simulate.h"
// (being written)
