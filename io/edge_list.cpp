#include "io/edge_list.h"
