// Umbrella header for the COpus system library; declarations only.
#include <opus.h>
