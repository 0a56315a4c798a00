#include "kernels/adam.h"
