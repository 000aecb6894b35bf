// Umbrella header for pocketsphinx (local speech to text); declarations only.
#include <pocketsphinx.h>
