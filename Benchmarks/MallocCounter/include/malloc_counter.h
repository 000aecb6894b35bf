// The allocation counters of malloc_counter.c, for Swift (the `MallocCounter` module) and C.
#ifndef STEADFAST_MALLOC_COUNTER_H
#define STEADFAST_MALLOC_COUNTER_H

#include <stdint.h>

/// Allocation calls (malloc, calloc, realloc, the aligned variants) made so far by the calling thread.
uint64_t steadfast_allocation_count(void);

/// free() calls with a non-null pointer made so far by the calling thread.
uint64_t steadfast_deallocation_count(void);

/// The part of steadfast_allocation_count() made inside libsrtp's per-packet calls (srtp_protect,
/// srtp_unprotect and their RTCP forms), by libsrtp and the crypto library under it.
uint64_t steadfast_srtp_allocation_count(void);

#endif
