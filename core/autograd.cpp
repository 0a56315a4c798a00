#include "core/autograd.h"
