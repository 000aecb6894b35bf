// Umbrella header for the CCurl system library; declarations only.
#include <curl/curl.h>
