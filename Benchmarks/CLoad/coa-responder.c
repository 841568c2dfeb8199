/*
 * coa-responder: a NAS's RFC 5176 dynamic-authorization server for benchmarks, independent of
 * Tollgate's code. Listens on UDP PORT of each given loopback address and answers every
 * CoA-Request (43) with a CoA-ACK (44) and every Disconnect-Request (40) with a Disconnect-ACK
 * (41), without attributes; the Response Authenticator is
 * MD5(Code | Identifier | Length | Request Authenticator | Attributes | secret) (RFC 5176
 * section 2.3, as RFC 2866 for accounting). The Request Authenticator is checked the same way
 * (over 16 zero octets in its place); a request that fails the check is counted and not answered.
 *
 * With --log FILE, one line per request received: "unix-microseconds code User-Name
 * Acct-Session-Id", the wall-clock time it arrived (retransmissions included: the first line
 * of a session is its first arrival). SIGTERM or SIGINT ends it; the counts go to standard
 * output as NAME=VALUE lines.
 *
 *   coa-responder --port 3799 --secret S [--log FILE] 127.0.1.1 127.0.1.2 ...
 *
 * Build: cc -O2 -o coa-responder coa-responder.c -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/md5.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRESSES 64
#define BATCH 64

static volatile sig_atomic_t stopping;

static void on_signal(int signal_number) { (void)signal_number; stopping = 1; }

static void die(const char *message) {
    fprintf(stderr, "coa-responder: %s\n", message);
    exit(2);
}

/* The text of attribute `type` (the first one) in the attributes of a request, or "-". */
static void attribute_text(const uint8_t *packet, int length, uint8_t type, char *out, size_t size) {
    int offset = 20;
    while (offset + 2 <= length) {
        int attribute_length = packet[offset + 1];
        if (attribute_length < 2 || offset + attribute_length > length) break;
        if (packet[offset] == type) {
            size_t n = (size_t)(attribute_length - 2);
            if (n >= size) n = size - 1;
            memcpy(out, packet + offset + 2, n);
            out[n] = 0;
            for (size_t i = 0; i < n; i++) if (out[i] <= ' ' || out[i] > '~') out[i] = '?';
            return;
        }
        offset += attribute_length;
    }
    snprintf(out, size, "-");
}

int main(int argc, char **argv) {
    static struct option options[] = {
        {"port", required_argument, 0, 'p'}, {"secret", required_argument, 0, 's'},
        {"log", required_argument, 0, 'l'},  {0, 0, 0, 0},
    };
    int port = 0;
    const char *secret = NULL, *log_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'p': port = atoi(optarg); break;
        case 's': secret = optarg; break;
        case 'l': log_path = optarg; break;
        default: die("usage: coa-responder --port PORT --secret S [--log FILE] ADDRESS...");
        }
    }
    int count = argc - optind;
    if (port < 1 || port > 65535 || !secret || count < 1 || count > MAX_ADDRESSES)
        die("usage: coa-responder --port PORT --secret S [--log FILE] ADDRESS... (1 to 64 loopback addresses)");
    size_t secret_len = strlen(secret);
    FILE *log = NULL;
    if (log_path && !(log = fopen(log_path, "w"))) die("cannot write --log");

    struct pollfd fds[MAX_ADDRESSES];
    for (int i = 0; i < count; i++) {
        struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET, argv[optind + i], &local.sin_addr) != 1 || (ntohl(local.sin_addr.s_addr) >> 24) != 127)
            die("addresses must be IPv4 loopback addresses (127.0.0.0/8)");
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (fd < 0) die("socket() failed");
        int size = 4 << 20;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
            fprintf(stderr, "coa-responder: cannot bind %s:%d: %s\n", argv[optind + i], port, strerror(errno));
            exit(2);
        }
        fds[i].fd = fd;
        fds[i].events = POLLIN;
    }
    struct sigaction action = {.sa_handler = on_signal};
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    printf("ready=1\n");
    fflush(stdout);

    static uint8_t buffers[BATCH][4096];
    static struct sockaddr_in peers[BATCH];
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    uint64_t coa = 0, disconnect = 0, bad = 0, other = 0;
    while (!stopping) {
        int ready = poll(fds, (nfds_t)count, 200);
        if (ready < 0 && errno != EINTR) die("poll() failed");
        for (int i = 0; ready > 0 && i < count; i++) {
            if (!(fds[i].revents & POLLIN)) continue;
            for (;;) {
                for (int m = 0; m < BATCH; m++) {
                    vectors[m].iov_base = buffers[m];
                    vectors[m].iov_len = sizeof buffers[m];
                    memset(&messages[m].msg_hdr, 0, sizeof messages[m].msg_hdr);
                    messages[m].msg_hdr.msg_iov = &vectors[m];
                    messages[m].msg_hdr.msg_iovlen = 1;
                    messages[m].msg_hdr.msg_name = &peers[m];
                    messages[m].msg_hdr.msg_namelen = sizeof peers[m];
                }
                int received = recvmmsg(fds[i].fd, messages, BATCH, MSG_DONTWAIT, NULL);
                if (received <= 0) break;
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                long long micros = (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
                for (int m = 0; m < received; m++) {
                    uint8_t *p = buffers[m];
                    int length = (int)messages[m].msg_len;
                    int declared = length >= 20 ? p[2] << 8 | p[3] : 0;
                    if (declared < 20 || declared > length) { bad++; continue; }
                    length = declared;
                    if (p[0] != 43 && p[0] != 40) { other++; continue; }
                    /* Request Authenticator: MD5 over the packet with 16 zero octets in its place, then the secret. */
                    uint8_t authenticator[16], digest[16];
                    memcpy(authenticator, p + 4, 16);
                    MD5_CTX md5;
                    MD5_Init(&md5);
                    MD5_Update(&md5, p, 4);
                    static const uint8_t zeros[16];
                    MD5_Update(&md5, zeros, 16);
                    MD5_Update(&md5, p + 20, (size_t)(length - 20));
                    MD5_Update(&md5, secret, secret_len);
                    MD5_Final(digest, &md5);
                    if (memcmp(digest, authenticator, 16) != 0) { bad++; continue; }
                    if (log) {
                        char user[256], session[256];
                        attribute_text(p, length, 1, user, sizeof user);
                        attribute_text(p, length, 44, session, sizeof session);
                        fprintf(log, "%lld %d %s %s\n", micros, p[0], user, session);
                    }
                    if (p[0] == 43) coa++; else disconnect++;
                    /* The answer: code, same Identifier, no attributes. */
                    uint8_t answer[20];
                    answer[0] = p[0] == 43 ? 44 : 41;
                    answer[1] = p[1];
                    answer[2] = 0;
                    answer[3] = 20;
                    MD5_Init(&md5);
                    MD5_Update(&md5, answer, 4);
                    MD5_Update(&md5, authenticator, 16);
                    MD5_Update(&md5, secret, secret_len);
                    MD5_Final(answer + 4, &md5);
                    sendto(fds[i].fd, answer, sizeof answer, 0, (struct sockaddr *)&peers[m], messages[m].msg_hdr.msg_namelen);
                }
            }
        }
    }
    if (log && fclose(log) != 0) die("cannot write --log");
    printf("coa_requests=%llu\ndisconnect_requests=%llu\nbad_requests=%llu\nother_codes=%llu\n",
           (unsigned long long)coa, (unsigned long long)disconnect, (unsigned long long)bad, (unsigned long long)other);
    return 0;
}
