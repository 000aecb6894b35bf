// Umbrella header for libspeexdsp (resampler); declarations only.
#include <speex/speex_resampler.h>
