// Engine-choice spike for docs/data-channels.md (not built by SwiftPM): two usrsctp associations back
// to back in one process, in nothreads + AF_CONN mode, with a virtual clock fed to the one global
// timer wheel. Build and run:
//   cc -O2 -o /tmp/usrsctp_spike Tests/SCTPTests/Spike/usrsctp_spike.c -lusrsctp && /tmp/usrsctp_spike
#define _GNU_SOURCE
#include <usrsctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static unsigned long mallocs;
void *malloc(size_t n) { mallocs++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { mallocs++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { mallocs++; return __libc_realloc(p, n); }

// A FIFO of packets in flight; output callbacks only enqueue (no re-entry into usrsctp).
typedef struct { void *to; size_t len; unsigned char buf[1500]; } pkt;
static pkt *q; static size_t qhead, qtail, qcap = 1 << 16; static unsigned long pkts;
static int a_addr, b_addr; // the AF_CONN "addresses": their pointers identify the two ends

static int out(void *addr, void *buf, size_t len, uint8_t tos, uint8_t df) {
    (void)tos; (void)df;
    if (qtail - qhead >= qcap || len > 1500) return -1;
    pkt *p = &q[qtail++ % qcap];
    p->to = (addr == &a_addr) ? (void *)&b_addr : (void *)&a_addr; p->len = len; memcpy(p->buf, buf, len);
    pkts++;
    return 0;
}
static void pump(void) { while (qhead < qtail) { pkt *p = &q[qhead++ % qcap]; usrsctp_conninput(p->to, p->buf, p->len, 0); } }

static struct socket *mk(void *self, uint16_t port) {
    struct socket *s = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    usrsctp_set_non_blocking(s, 1);
    int big = 4 << 20; usrsctp_setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    usrsctp_setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    int on = 1; usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
    usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
    struct sockaddr_conn sc = { .sconn_family = AF_CONN, .sconn_port = htons(port), .sconn_addr = self };
    if (usrsctp_bind(s, (struct sockaddr *)&sc, sizeof sc) < 0) { perror("bind"); exit(1); }
    return s;
}
static void conn(struct socket *s, void *peer) {
    struct sockaddr_conn sc = { .sconn_family = AF_CONN, .sconn_port = htons(5000), .sconn_addr = peer };
    if (usrsctp_connect(s, (struct sockaddr *)&sc, sizeof sc) < 0 && errno != EINPROGRESS) { perror("connect"); exit(1); }
}
static unsigned char rbuf[1 << 20]; static size_t rlen;
// Drains b; returns the number of complete messages (MSG_EOR) received.
static int drain(struct socket *s, size_t *lastlen) {
    int msgs = 0;
    for (;;) {
        struct sctp_rcvinfo ri; socklen_t il = sizeof ri; unsigned int it = 0; int fl = 0;
        struct sockaddr_conn from; socklen_t fl2 = sizeof from;
        ssize_t n = usrsctp_recvv(s, rbuf + rlen, sizeof rbuf - rlen, (struct sockaddr *)&from, &fl2, &ri, &il, &it, &fl);
        if (n <= 0) break;
        rlen += (size_t)n;
        if (fl & MSG_EOR) { msgs++; *lastlen = rlen; rlen = 0; }
    }
    return msgs;
}
static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static unsigned vms; // virtual milliseconds handed to usrsctp_handle_timers

static int send1(struct socket *s, const void *d, size_t n, uint32_t ppid) {
    struct sctp_sndinfo si = {0}; si.snd_sid = 1; si.snd_ppid = htonl(ppid);
    return (int)usrsctp_sendv(s, d, n, NULL, 0, &si, sizeof si, SCTP_SENDV_SNDINFO, 0);
}

static void run(struct socket *a, struct socket *b, int count, size_t size) {
    unsigned char *msg = calloc(1, size);
    size_t last = 0; int got = 0, sent = 0;
    unsigned long m0 = mallocs, p0 = pkts; double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    while (got < count) {
        while (sent < count && send1(a, msg, size, 53) >= 0) sent++;
        pump();
        int g = drain(b, &last); got += g;
        if (!g && qhead == qtail) { usrsctp_handle_timers(10); vms += 10; } // idle: advance virtual time (delayed SACK)
    }
    double w = now(CLOCK_MONOTONIC) - w0, c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("%6d x %7zu B: %8.0f msg/s  %6.2f us CPU/msg  %7.1f mallocs/msg  %5.1f pkts/msg  (%.1f MB/s) last=%zu\n",
           count, size, count / w, c / count * 1e6, (double)(mallocs - m0) / count, (double)(pkts - p0) / count,
           count * (double)size / w / 1e6, last);
    free(msg);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    q = calloc(qcap, sizeof *q);
    usrsctp_init_nothreads(0, out, NULL);
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    usrsctp_register_address(&a_addr); usrsctp_register_address(&b_addr);
    struct socket *a = mk(&a_addr, 5000), *b = mk(&b_addr, 5000);
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    conn(a, &a_addr); conn(b, &b_addr); // simultaneous open, as WebRTC does; each side names its own lower-layer pointer
    for (int i = 0; i < 100; i++) { pump(); usrsctp_handle_timers(1); }
    printf("connected (cpu %.2f ms, %lu packets)\n", (now(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3, pkts);
    run(a, b, 1000, 100);
    run(a, b, 10000, 100);
    run(a, b, 10000, 1000);
    run(a, b, 1, 256 * 1024);
    run(a, b, 20, 256 * 1024);
    printf("virtual ms handed to the global timer wheel: %u\n", vms);
    return 0;
}
