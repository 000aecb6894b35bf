// Umbrella header for libespeak-ng (local text to speech); declarations only.
#include <espeak-ng/speak_lib.h>
