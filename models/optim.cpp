#include "models/optim.h"
