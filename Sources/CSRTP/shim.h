// Umbrella header for the CSRTP system library; declarations only.
#include <srtp2/srtp.h>
