#define _GNU_SOURCE
#include <sys/socket.h>
#include <string.h>
#include "CShims.h"

const uint64_t steadfast_SSL_OP_NO_QUERY_MTU = SSL_OP_NO_QUERY_MTU;
long steadfast_SSL_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }
long steadfast_DTLSv1_get_timeout(SSL *ssl, struct timeval *tv) { return DTLSv1_get_timeout(ssl, tv); }
long steadfast_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }
long steadfast_BIO_set_mem_eof_return(BIO *bio, int value) { return BIO_set_mem_eof_return(bio, value); }
long steadfast_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
long steadfast_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes) { return SSL_CTX_set_read_ahead(ctx, yes); }
long steadfast_SSL_get_extms_support(SSL *ssl) { return SSL_get_extms_support(ssl); }

int steadfast_opus_encoder_set(OpusEncoder *enc, int request, opus_int32 value) {
    return opus_encoder_ctl(enc, request, value);
}
int steadfast_opus_encoder_get(OpusEncoder *enc, int request, opus_int32 *value) {
    return opus_encoder_ctl(enc, request, value);
}
int steadfast_opus_encoder_reset(OpusEncoder *enc) { return opus_encoder_ctl(enc, OPUS_RESET_STATE); }
int steadfast_opus_decoder_set(OpusDecoder *dec, int request, opus_int32 value) {
    return opus_decoder_ctl(dec, request, value);
}
int steadfast_opus_decoder_get(OpusDecoder *dec, int request, opus_int32 *value) {
    return opus_decoder_ctl(dec, request, value);
}
int steadfast_opus_decoder_reset(OpusDecoder *dec) { return opus_decoder_ctl(dec, OPUS_RESET_STATE); }

CURLcode steadfast_curl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
CURLcode steadfast_curl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
CURLcode steadfast_curl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
CURLcode steadfast_curl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
CURLcode steadfast_curl_easy_setopt_data_callback(CURL *h, CURLoption o, steadfast_curl_data_callback cb) {
    return curl_easy_setopt(h, o, cb);
}
CURLcode steadfast_curl_easy_setopt_progress_callback(CURL *h, steadfast_curl_progress_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}
CURLcode steadfast_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
CURLcode steadfast_curl_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
CURLcode steadfast_curl_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
CURLcode steadfast_curl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
CURLMcode steadfast_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

CURLcode steadfast_curl_easy_setopt_prereq_callback(CURL *h, curl_prereq_callback cb) {
    return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, cb);
}

int steadfast_udp_receive_batch(int fd, void *buffer, size_t slot_size, unsigned count,
                                struct sockaddr_storage *addresses, socklen_t *address_lengths,
                                unsigned *lengths, int *flags) {
    struct mmsghdr headers[64];
    struct iovec vectors[64];
    if (count > 64) count = 64;
    memset(headers, 0, sizeof(headers[0]) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = (char *)buffer + i * slot_size;
        vectors[i].iov_len = slot_size;
        headers[i].msg_hdr.msg_name = &addresses[i];
        headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
    }
    int received = recvmmsg(fd, headers, count, MSG_DONTWAIT, NULL);
    for (int i = 0; i < received; i++) {
        address_lengths[i] = headers[i].msg_hdr.msg_namelen;
        lengths[i] = headers[i].msg_len;
        flags[i] = headers[i].msg_hdr.msg_flags;
    }
    return received;
}

const uint64_t steadfast_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
const uint64_t steadfast_SSL_OP_NO_TICKET = SSL_OP_NO_TICKET;
