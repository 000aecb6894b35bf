// WebRTC's classic C voice activity detector, as exported by Debian 12's libwebrtc-audio-processing
// (0.3). The -dev package installs only the C++ AudioProcessing headers, not common_audio/vad's
// webrtc_vad.h, so the few prototypes are declared here. Verified against this library build by
// disassembling the exported symbols (objdump -d) and a gcc-built probe program run under valgrind:
// Create mallocs and returns the instance (no out-parameter); Free is free(); Process and
// ValidRateAndFrameLength take the frame length as a 64-bit size_t. Used by steadfast-bench only.
#ifndef STEADFAST_CWEBRTCVAD_SHIM_H
#define STEADFAST_CWEBRTCVAD_SHIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct WebRtcVadInst VadInst;

/// A new, uninitialised instance (NULL when out of memory); release with WebRtcVad_Free.
VadInst *WebRtcVad_Create(void);
void WebRtcVad_Free(VadInst *handle);
/// 0, or -1 on a NULL handle. Must precede set_mode and Process (both return -1 before it).
int WebRtcVad_Init(VadInst *handle);
/// Aggressiveness 0 (least) to 3 (most restrictive about calling speech); 0 or -1.
int WebRtcVad_set_mode(VadInst *handle, int mode);
/// 1 speech, 0 non-speech, -1 error. fs: 8000, 16000, 32000 or 48000 Hz; 10, 20 or 30 ms frames.
int WebRtcVad_Process(VadInst *handle, int fs, const int16_t *audio_frame, size_t frame_length);
/// 0 when `rate` and `frame_length` (samples) are a valid pair, else -1.
int WebRtcVad_ValidRateAndFrameLength(int rate, size_t frame_length);

#endif
