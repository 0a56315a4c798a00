#include "kernels/spmm.h"
