// Counts heap allocations per thread so steadfast-bench can report allocations per packet.
//
// Preloaded with LD_PRELOAD (see ../run-with-malloc-counter.sh): it defines the allocator entry points
// and forwards them to glibc's __libc_* implementations, which avoids the dlsym(RTLD_NEXT) bootstrap
// problem (dlsym itself allocates). The bench finds `steadfast_allocation_count` with dlsym at run
// time; without the preload it reports allocations as "not measured".
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);
extern void __libc_free(void *pointer);

// Initial-exec TLS: a preloaded library gets static TLS, so reading it never calls __tls_get_addr
// (which may allocate, and would recurse into malloc).
static __thread uint64_t allocations __attribute__((tls_model("initial-exec")));
static __thread uint64_t deallocations __attribute__((tls_model("initial-exec")));

/// Allocation calls (malloc, calloc, realloc, the aligned variants) made so far by the calling thread.
uint64_t steadfast_allocation_count(void) { return allocations; }

/// free() calls with a non-null pointer made so far by the calling thread.
uint64_t steadfast_deallocation_count(void) { return deallocations; }

void *malloc(size_t size) { allocations++; return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { allocations++; return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { allocations++; return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
void *valloc(size_t size) { allocations++; return __libc_valloc(size); }
void *pvalloc(size_t size) { allocations++; return __libc_pvalloc(size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    allocations++;
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
