// Counts heap allocations per thread, for allocations-per-packet figures and regression tests.
//
// Two ways in, one source:
// - steadfast-bench (release): preloaded with LD_PRELOAD (../run-with-malloc-counter.sh), found with dlsym.
// - `swift test`: the `MallocCounter` target is linked into the test executable, whose definitions of
//   malloc and friends take precedence over glibc's for the whole process (the glibc manual's
//   "Replacing malloc"). Only RTCTests uses the counts; every other test just pays one thread-local
//   increment per allocation.
// Either way the entry points forward to glibc's __libc_* implementations, which avoids the
// dlsym(RTLD_NEXT) bootstrap problem (dlsym itself allocates), and keep glibc's allocator itself.
//
// libsrtp 2.5 on Debian 12 is built on NSS and allocates cipher and digest contexts per packet, which
// is not our code. The per-packet srtp_* calls are wrapped here too, so allocations made inside them
// are counted apart (steadfast_srtp_allocation_count) and a test can assert "none of our own".
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "malloc_counter.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);
extern void __libc_free(void *pointer);

// Initial-exec TLS: static TLS in the executable or a preloaded library, so reading it never calls
// __tls_get_addr (which may allocate, and would recurse into malloc).
static __thread uint64_t allocations __attribute__((tls_model("initial-exec")));
static __thread uint64_t deallocations __attribute__((tls_model("initial-exec")));
static __thread uint64_t srtp_allocations __attribute__((tls_model("initial-exec")));
/// > 0 while this thread is inside a wrapped libsrtp call.
static __thread uint32_t srtp_depth __attribute__((tls_model("initial-exec")));

uint64_t steadfast_allocation_count(void) { return allocations; }
uint64_t steadfast_deallocation_count(void) { return deallocations; }
uint64_t steadfast_srtp_allocation_count(void) { return srtp_allocations; }

static inline void counted(void) {
    allocations++;
    if (srtp_depth > 0) srtp_allocations++;
}

void *malloc(size_t size) { counted(); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { counted(); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { counted(); return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { counted(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { counted(); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { counted(); return __libc_valloc(size); }
void *pvalloc(size_t size) { counted(); return __libc_pvalloc(size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    counted();
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}

void free(void *pointer) {
    if (pointer != NULL) deallocations++;
    __libc_free(pointer);
}

// The libsrtp wrappers. Declared without srtp2/srtp.h (no pkg-config dependency here): srtp_t is a
// pointer and srtp_err_status_t an int-sized enum, so these are ABI-identical to the real prototypes.
// The real function is the next definition after this object (libsrtp2.so), resolved on first use.
typedef int (*srtp_transform)(void *context, void *packet, int *length);

static srtp_transform resolve(srtp_transform *slot, const char *name) {
    srtp_transform function = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (function == NULL) {
        function = (srtp_transform)dlsym(RTLD_NEXT, name);
        __atomic_store_n(slot, function, __ATOMIC_RELEASE);
    }
    return function;
}

#define STEADFAST_WRAP_SRTP(name)                                       \
    int name(void *context, void *packet, int *length) {                \
        static srtp_transform real;                                     \
        srtp_depth++;                                                   \
        int status = resolve(&real, #name)(context, packet, length);    \
        srtp_depth--;                                                   \
        return status;                                                  \
    }

STEADFAST_WRAP_SRTP(srtp_protect)
STEADFAST_WRAP_SRTP(srtp_unprotect)
STEADFAST_WRAP_SRTP(srtp_protect_rtcp)
STEADFAST_WRAP_SRTP(srtp_unprotect_rtcp)
