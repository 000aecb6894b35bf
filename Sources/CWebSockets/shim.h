// Umbrella header for the CWebSockets system library; declarations only.
#include <libwebsockets.h>
