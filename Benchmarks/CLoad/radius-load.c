/*
 * radius-load: an accounting load generator for RADIUS servers, independent of Tollgate's code.
 *
 * Plays --nas NAS devices (one UDP socket each, bound to --nas-base (127.0.1.1) and the addresses
 * after it, ...; NAS-IP-Address is the same address) that send
 * RFC 2866 Accounting-Requests for --sessions sessions of Start, --interims Interim-Updates and
 * Stop. The order is interleaved: every session's Start, then every session's first Interim,
 * ..., then every Stop, so the packets of one session are --sessions packets apart. Up to
 * --window requests are outstanding (at most 255 per NAS: the Identifier is 8 bits), a request
 * is retransmitted unchanged after --timeout-ms, and --duplicates percent of the requests are
 * sent twice, as a NAS retransmission would: half of them right behind the original (while it
 * is being processed), half once the original is answered (its answer "lost"); such a late
 * duplicate holds its Identifier until answered (or --timeout-ms, without retransmission) but
 * no window slot. Every answer is verified (code, Identifier, Response Authenticator); a
 * second answer to a retransmitted or duplicated request is recognised and counted apart. --rate paces new requests; --send-for
 * stops sending new ones after that many seconds (the expected totals then cover what was sent).
 *
 * For sessions that live across runs: --no-stop leaves the Stop out (the sessions stay open),
 * --first-event K sends only events K and later (K = 1: the Interims of sessions a run with
 * --interims 0 --no-stop started), --extra-download-bytes B adds B to every session's download
 * step (so a session crosses a volume threshold at a known event), and --answer-log FILE writes
 * one line per answered request, "Acct-Session-Id event unix-microseconds", the wall-clock
 * time its answer arrived.
 *
 * Byte counters are deterministic per session and grow with every event, some past 4 GiB (so
 * the Gigawords attributes are used); the totals a server must end up with are the Stop's
 * counters summed over the sessions, printed as expected_upload_bytes / expected_download_bytes
 * (upload = Acct-Input-Octets, what the subscriber sent).
 *
 * The report is NAME=VALUE lines on standard output. Exit status: 0 when every request was
 * answered correctly, 1 on a loss or a bad answer, 2 on a usage or system error. A duplicate
 * whose original was answered but which itself stays unanswered is counted
 * (duplicates_unanswered), not a failure: nothing was lost.
 *
 * Build: cc -O2 -o radius-load radius-load.c -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
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

#define MAX_NAS 1024
#define IDS 256
#define PER_NAS_LIMIT 255   /* one Identifier always rests, so a late answer can still be told apart */
#define HISTORY 4           /* earlier Request Authenticators remembered per Identifier */
#define PACKET_MAX 256
#define QUEUE_SIZE 2048
#define BATCH 64

enum { SLOT_FREE = 0, SLOT_ORIGINAL, SLOT_DUPLICATE };

typedef struct {
    uint8_t buf[PACKET_MAX];
    uint16_t len;
    uint8_t state;
    uint8_t tries;
    uint8_t duplicate_after_answer;
    int64_t first_ns, last_ns;
    int64_t scheduled_ns;   /* when --rate wanted it sent: latency from there counts the time it waited */
    long session;           /* n and k of the request, for --answer-log */
    int event;
} Slot;

typedef struct {
    int fd;
    Slot slots[IDS];
    uint8_t history[IDS][HISTORY][16];
    uint8_t history_next[IDS];
    uint8_t free_ids[IDS];
    int free_head, free_count;
    uint8_t queue[QUEUE_SIZE];
    int queue_head, queue_count;
    int outstanding;
    int want_write;
} Nas;

static struct {
    struct sockaddr_in target;
    const char *secret;
    size_t secret_len;
    int nas, interims, window, duplicates, timeout_ms, retries, probe, no_stop, first_event;
    long sessions;
    double rate, duration_limit, send_for;
    uint64_t extra_download;
    uint32_t nas_base;  /* the first NAS's address, host order */
    const char *prefix, *answer_log;
} opt = {
    .secret = "testing123", .nas = 4, .interims = 3, .window = 1020, .duplicates = 5,
    .timeout_ms = 1000, .retries = 4, .sessions = 1000, .rate = 0, .duration_limit = 600, .send_for = 0, .prefix = "L",
    .nas_base = (127u << 24) | (1u << 8) | 1u,
};

static Nas *nas_list;
static volatile sig_atomic_t interrupted;

static int64_t monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t realtime_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *message) {
    fprintf(stderr, "radius-load: %s\n", message);
    exit(2);
}

/* Bytes of session n by the event's index k (0 = Start, interims + 1 = Stop): k steps. */
static uint64_t upload_step(long n) {
    uint64_t step = 1000 + ((uint64_t)n * 7919) % 100003;
    if (n % 200 == 3) step += 1342177280ull;          /* 1.25 GiB a step: past 4 GiB by the Stop */
    return step;
}

static uint64_t download_step(long n) {
    uint64_t step = 8 * (1000 + ((uint64_t)n * 7919) % 100003) + (uint64_t)(n % 1009);
    if (n % 50 == 7) step += 1610612736ull;           /* 1.5 GiB a step */
    return step + opt.extra_download;
}

static uint8_t *put_attribute(uint8_t *p, uint8_t type, const void *value, size_t len) {
    p[0] = type;
    p[1] = (uint8_t)(len + 2);
    memcpy(p + 2, value, len);
    return p + 2 + len;
}

static uint8_t *put_integer(uint8_t *p, uint8_t type, uint32_t value) {
    uint32_t v = htonl(value);
    return put_attribute(p, type, &v, 4);
}

static uint8_t *put_counter(uint8_t *p, uint8_t octets_type, uint8_t gigawords_type, uint64_t value) {
    p = put_integer(p, octets_type, (uint32_t)value);
    if (value >> 32) p = put_integer(p, gigawords_type, (uint32_t)(value >> 32));
    return p;
}

/* Accounting-Request for event k of session n; returns its length. */
static uint16_t build_request(uint8_t *buf, uint8_t id, long n, int k, int nas_index) {
    char text[64];
    uint8_t *p = buf + 20;
    int stop = !opt.no_stop && k == opt.interims + 1;
    int len = snprintf(text, sizeof text, "u%s%ld", opt.prefix, n);
    p = put_attribute(p, 1, text, (size_t)len);                                  /* User-Name */
    len = snprintf(text, sizeof text, "%s%ld", opt.prefix, n);
    p = put_attribute(p, 44, text, (size_t)len);                                 /* Acct-Session-Id */
    p = put_integer(p, 40, k == 0 ? 1 : stop ? 2 : 3);                           /* Acct-Status-Type */
    uint32_t own = opt.nas_base + (uint32_t)nas_index;
    uint8_t address[4] = {(uint8_t)(own >> 24), (uint8_t)(own >> 16), (uint8_t)(own >> 8), (uint8_t)own};
    p = put_attribute(p, 4, address, 4);                                         /* NAS-IP-Address */
    p = put_integer(p, 5, (uint32_t)(n / opt.nas));                              /* NAS-Port */
    p = put_integer(p, 61, 19);                                                  /* NAS-Port-Type: Wireless-802.11 */
    if (k > 0) {
        p = put_integer(p, 46, (uint32_t)k * 300);                               /* Acct-Session-Time */
        p = put_counter(p, 42, 52, (uint64_t)k * upload_step(n));                /* Acct-Input-Octets/-Gigawords */
        p = put_counter(p, 43, 53, (uint64_t)k * download_step(n));              /* Acct-Output-Octets/-Gigawords */
    }
    if (stop) p = put_integer(p, 49, 1);                                         /* Acct-Terminate-Cause: User-Request */
    uint16_t total = (uint16_t)(p - buf);
    buf[0] = 4;
    buf[1] = id;
    buf[2] = (uint8_t)(total >> 8);
    buf[3] = (uint8_t)total;
    memset(buf + 4, 0, 16);
    MD5_CTX md5;
    MD5_Init(&md5);
    MD5_Update(&md5, buf, total);
    MD5_Update(&md5, opt.secret, opt.secret_len);
    MD5_Final(buf + 4, &md5);
    return total;
}

/* Whether resp (rlen octets received) is an answer of code 2 or 5 to the request whose
   Request Authenticator is request_auth. */
static int verify_answer(const uint8_t *resp, ssize_t rlen, const uint8_t *request_auth) {
    if (rlen < 20 || (resp[0] != 5 && resp[0] != 2)) return 0;
    int len = resp[2] << 8 | resp[3];
    if (len < 20 || len > rlen) return 0;
    uint8_t digest[16];
    MD5_CTX md5;
    MD5_Init(&md5);
    MD5_Update(&md5, resp, 4);
    MD5_Update(&md5, request_auth, 16);
    MD5_Update(&md5, resp + 20, (size_t)(len - 20));
    MD5_Update(&md5, opt.secret, opt.secret_len);
    MD5_Final(digest, &md5);
    return memcmp(digest, resp + 4, 16) == 0;
}

static int open_nas_socket(int index) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket() failed");
    int size = 4 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    struct sockaddr_in local = {.sin_family = AF_INET};
    local.sin_addr.s_addr = htonl(opt.nas_base + (uint32_t)index);
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &local.sin_addr, text, sizeof text);
        fprintf(stderr, "radius-load: cannot bind %s: %s\n", text, strerror(errno));
        exit(2);
    }
    if (connect(fd, (struct sockaddr *)&opt.target, sizeof opt.target) != 0) die("connect() failed");
    return fd;
}

/* Status-Server (RFC 5997) with a Message-Authenticator; 0 when a verified answer came. */
static int probe(void) {
    int fd = open_nas_socket(0);
    uint8_t buf[64], auth[16];
    for (int i = 0; i < 16; i++) auth[i] = (uint8_t)(rand() ^ (int)(monotonic_ns() >> (i % 8)));
    buf[0] = 12;
    buf[1] = (uint8_t)(rand() & 0xff);
    buf[2] = 0;
    buf[3] = 38;
    memcpy(buf + 4, auth, 16);
    buf[20] = 80;
    buf[21] = 18;
    memset(buf + 22, 0, 16);
    unsigned int mac_len = 16;
    HMAC(EVP_md5(), opt.secret, (int)opt.secret_len, buf, 38, buf + 22, &mac_len);
    for (int attempt = 0; attempt <= opt.retries; attempt++) {
        if (send(fd, buf, 38, 0) != 38) { usleep(1000 * (useconds_t)opt.timeout_ms); continue; }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int64_t deadline = monotonic_ns() + (int64_t)opt.timeout_ms * 1000000;
        while (monotonic_ns() < deadline) {
            if (poll(&p, 1, (int)((deadline - monotonic_ns()) / 1000000) + 1) <= 0) continue;
            uint8_t resp[4096];
            ssize_t n = recv(fd, resp, sizeof resp, 0);
            if (n >= 20 && resp[1] == buf[1] && verify_answer(resp, n, auth)) return 0;
        }
    }
    return 1;
}

static int compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void enqueue(Nas *nas, uint8_t id) {
    if (nas->queue_count == QUEUE_SIZE) die("send queue overflow");
    nas->queue[(nas->queue_head + nas->queue_count) % QUEUE_SIZE] = id;
    nas->queue_count++;
}

static void flush(Nas *nas) {
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    while (nas->queue_count > 0) {
        int count = 0;
        for (int i = 0; i < nas->queue_count && count < BATCH; i++) {
            Slot *slot = &nas->slots[nas->queue[(nas->queue_head + i) % QUEUE_SIZE]];
            vectors[count].iov_base = slot->buf;
            vectors[count].iov_len = slot->len;
            memset(&messages[count].msg_hdr, 0, sizeof messages[count].msg_hdr);
            messages[count].msg_hdr.msg_iov = &vectors[count];
            messages[count].msg_hdr.msg_iovlen = 1;
            count++;
        }
        int sent = sendmmsg(nas->fd, messages, (unsigned int)count, 0);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) { nas->want_write = 1; return; }
            if (errno == EINTR) continue;
            sent = 1;   /* e.g. ECONNREFUSED from an earlier datagram: this one is retransmitted on timeout */
        }
        nas->queue_head = (nas->queue_head + sent) % QUEUE_SIZE;
        nas->queue_count -= sent;
    }
    nas->want_write = 0;
}

/* Frees an Identifier, remembering its Request Authenticator so a late answer is recognised. */
static void release(Nas *nas, uint8_t id) {
    Slot *slot = &nas->slots[id];
    memcpy(nas->history[id][nas->history_next[id]], slot->buf + 4, 16);
    nas->history_next[id] = (uint8_t)((nas->history_next[id] + 1) % HISTORY);
    slot->state = SLOT_FREE;
    nas->free_ids[(nas->free_head + nas->free_count) % IDS] = id;
    nas->free_count++;
    nas->outstanding--;
}

static void on_signal(int signal_number) { (void)signal_number; interrupted = 1; }

static void usage(void) {
    fprintf(stderr,
            "usage: radius-load --target 127.0.0.1:PORT --secret S [--nas 4] [--nas-base 127.0.1.1] [--sessions 1000] [--interims 3]\n"
            "                   [--window 1020] [--duplicates 5] [--rate PACKETS_PER_S] [--timeout-ms 1000]\n"
            "                   [--retries 4] [--duration-limit 600] [--send-for SECONDS] [--session-prefix L] [--probe]\n"
            "                   [--no-stop] [--first-event K] [--extra-download-bytes B] [--answer-log FILE]\n");
    exit(2);
}

int main(int argc, char **argv) {
    static struct option options[] = {
        {"target", required_argument, 0, 't'},   {"secret", required_argument, 0, 's'},
        {"nas", required_argument, 0, 'n'},      {"sessions", required_argument, 0, 'S'},
        {"interims", required_argument, 0, 'i'}, {"window", required_argument, 0, 'w'},
        {"duplicates", required_argument, 0, 'd'}, {"rate", required_argument, 0, 'r'},
        {"timeout-ms", required_argument, 0, 'T'}, {"retries", required_argument, 0, 'R'},
        {"duration-limit", required_argument, 0, 'l'}, {"session-prefix", required_argument, 0, 'p'},
        {"send-for", required_argument, 0, 'F'}, {"probe", no_argument, 0, 'P'},          {"help", no_argument, 0, 'h'},
        {"no-stop", no_argument, 0, 'N'},        {"first-event", required_argument, 0, 'K'},
        {"extra-download-bytes", required_argument, 0, 'X'}, {"answer-log", required_argument, 0, 'A'},
        {"nas-base", required_argument, 0, 'B'},
        {0, 0, 0, 0},
    };
    const char *target = "127.0.0.1:1813";
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 't': target = optarg; break;
        case 's': opt.secret = optarg; break;
        case 'n': opt.nas = atoi(optarg); break;
        case 'S': opt.sessions = atol(optarg); break;
        case 'i': opt.interims = atoi(optarg); break;
        case 'w': opt.window = atoi(optarg); break;
        case 'd': opt.duplicates = atoi(optarg); break;
        case 'r': opt.rate = atof(optarg); break;
        case 'T': opt.timeout_ms = atoi(optarg); break;
        case 'R': opt.retries = atoi(optarg); break;
        case 'l': opt.duration_limit = atof(optarg); break;
        case 'p': opt.prefix = optarg; break;
        case 'F': opt.send_for = atof(optarg); break;
        case 'P': opt.probe = 1; break;
        case 'N': opt.no_stop = 1; break;
        case 'K': opt.first_event = atoi(optarg); break;
        case 'X': opt.extra_download = strtoull(optarg, NULL, 10); break;
        case 'A': opt.answer_log = optarg; break;
        case 'B': {
            struct in_addr base;
            if (inet_pton(AF_INET, optarg, &base) != 1 || (ntohl(base.s_addr) >> 24) != 127) die("--nas-base must be a 127.0.0.0/8 address");
            opt.nas_base = ntohl(base.s_addr);
            break;
        }
        default: usage();
        }
    }
    opt.secret_len = strlen(opt.secret);
    char host[64];
    const char *colon = strrchr(target, ':');
    if (!colon || colon - target >= (long)sizeof host) die("--target must be IPV4:PORT");
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = 0;
    opt.target.sin_family = AF_INET;
    opt.target.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &opt.target.sin_addr) != 1 || opt.target.sin_port == 0) die("--target must be IPV4:PORT");
    if ((ntohl(opt.target.sin_addr.s_addr) >> 24) != 127) die("--target must be a loopback address (127.0.0.0/8)");
    if (opt.nas < 1 || opt.nas > MAX_NAS) die("--nas must be 1...1024");
    if (((opt.nas_base + (uint32_t)opt.nas - 1) >> 24) != 127) die("--nas-base plus --nas addresses must stay within 127.0.0.0/8");
    if (opt.sessions < 1 || opt.interims < 0 || opt.interims > 1000) die("--sessions must be positive, --interims 0...1000");
    if (opt.window < 1) die("--window must be positive");
    if (opt.duplicates < 0 || opt.duplicates > 100) die("--duplicates is a percentage, 0...100");
    if (opt.timeout_ms < 1 || opt.retries < 0 || opt.retries > 100) die("--timeout-ms must be positive, --retries 0...100");
    if (strlen(opt.prefix) > 20) die("--session-prefix must be at most 20 characters");
    if (opt.first_event < 0 || opt.first_event > opt.interims + (opt.no_stop ? 0 : 1))
        die("--first-event must name an event the sessions have (0 = Start ... the last Interim, or the Stop)");
    if (opt.extra_download > (1ull << 40)) die("--extra-download-bytes must be at most 2^40");
    if (opt.probe) return probe();

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    nas_list = calloc((size_t)opt.nas, sizeof(Nas));
    if (!nas_list) die("out of memory");
    struct pollfd fds[MAX_NAS];
    for (int i = 0; i < opt.nas; i++) {
        Nas *nas = &nas_list[i];
        nas->fd = open_nas_socket(i);
        for (int id = 0; id < IDS; id++) nas->free_ids[id] = (uint8_t)id;
        nas->free_count = IDS;
        fds[i].fd = nas->fd;
    }

    /* Events sent per session: from --first-event to the Stop (or the last Interim with --no-stop). */
    const int events = opt.interims + (opt.no_stop ? 1 : 2) - opt.first_event;
    FILE *answer_log = NULL;
    if (opt.answer_log && !(answer_log = fopen(opt.answer_log, "w"))) die("cannot write --answer-log");
    const uint64_t total = (uint64_t)opt.sessions * (uint64_t)events;
    uint32_t *latencies = malloc(sizeof(uint32_t) * total);
    uint32_t *scheduled_latencies = opt.rate > 0 ? malloc(sizeof(uint32_t) * total) : NULL;
    if (!latencies || (opt.rate > 0 && !scheduled_latencies)) die("out of memory");

    uint64_t next = 0, acknowledged = 0, retransmissions = 0, duplicates = 0, duplicates_answered = 0;
    uint64_t duplicates_unanswered = 0, lost = 0, bad = 0, late = 0, datagrams = 0;
    int outstanding = 0;          /* originals awaiting their answer: what --window limits */
    int duplicates_pending = 0;   /* duplicates sent after the answer, awaiting theirs: hold an Identifier, not a window slot */
    const double interval_ns = opt.rate > 0 ? 1e9 / opt.rate : 0;
    const int64_t timeout_ns = (int64_t)opt.timeout_ms * 1000000;
    const int64_t start_ns = monotonic_ns(), start_real_ns = realtime_ns();
    const int64_t limit_ns = start_ns + (int64_t)(opt.duration_limit * 1e9);
    const int64_t send_until_ns = opt.send_for > 0 ? start_ns + (int64_t)(opt.send_for * 1e9) : INT64_MAX;
    uint64_t planned = total;
    int64_t last_ack_ns = start_ns, last_ack_real_ns = start_real_ns, last_scan_ns = start_ns;
    int timed_out = 0;
    static uint8_t receive_buffers[BATCH][4096];
    struct mmsghdr received[BATCH];
    struct iovec receive_vectors[BATCH];

    for (;;) {
        int64_t now = monotonic_ns();
        if (now >= send_until_ns && next < planned) planned = next;   /* --send-for: no new requests from now on */
        /* New requests, in the interleaved order, while the window and pacing allow. */
        while (next < planned && outstanding < opt.window) {
            int64_t scheduled = start_ns + (int64_t)((double)next * interval_ns);
            if (interval_ns > 0 && now < scheduled) break;
            long n = (long)(next % (uint64_t)opt.sessions);
            int k = (int)(next / (uint64_t)opt.sessions) + opt.first_event;
            int nas_index = (int)(n % opt.nas);
            Nas *nas = &nas_list[nas_index];
            if (nas->outstanding >= PER_NAS_LIMIT) break;
            uint8_t id = nas->free_ids[nas->free_head];
            nas->free_head = (nas->free_head + 1) % IDS;
            nas->free_count--;
            Slot *slot = &nas->slots[id];
            slot->len = build_request(slot->buf, id, n, k, nas_index);
            slot->state = SLOT_ORIGINAL;
            slot->tries = 1;
            slot->first_ns = slot->last_ns = now;
            slot->scheduled_ns = interval_ns > 0 ? scheduled : now;
            slot->duplicate_after_answer = 0;
            slot->session = n;
            slot->event = k;
            enqueue(nas, id);
            datagrams++;
            if ((next * (uint64_t)opt.duplicates) % 100 < (uint64_t)opt.duplicates) {
                duplicates++;
                if (duplicates % 2) { enqueue(nas, id); datagrams++; }   /* right behind the original */
                else slot->duplicate_after_answer = 1;
            }
            nas->outstanding++;
            outstanding++;
            next++;
            if (nas->queue_count >= BATCH) flush(nas);
        }
        for (int i = 0; i < opt.nas; i++) if (nas_list[i].queue_count) flush(&nas_list[i]);
        if (next == planned && outstanding == 0 && duplicates_pending == 0) break;
        if (interrupted || now > limit_ns) { timed_out = 1; break; }

        /* Wait for answers, for the next paced send, or for the next timeout scan. */
        int64_t wait_ns = 10000000;
        if (next < planned && outstanding < opt.window && interval_ns > 0) {
            int64_t due = start_ns + (int64_t)((double)next * interval_ns) - now;
            if (due < wait_ns) wait_ns = due > 0 ? due : 0;
        }
        for (int i = 0; i < opt.nas; i++) fds[i].events = POLLIN | (nas_list[i].want_write ? POLLOUT : 0);
        struct timespec wait = {.tv_sec = 0, .tv_nsec = wait_ns};
        int ready = ppoll(fds, (nfds_t)opt.nas, &wait, NULL);
        if (ready < 0 && errno != EINTR) die("poll() failed");
        now = monotonic_ns();
        for (int i = 0; ready > 0 && i < opt.nas; i++) {
            if (!(fds[i].revents & (POLLIN | POLLERR))) continue;
            Nas *nas = &nas_list[i];
            for (;;) {
                for (int m = 0; m < BATCH; m++) {
                    receive_vectors[m].iov_base = receive_buffers[m];
                    receive_vectors[m].iov_len = sizeof receive_buffers[m];
                    memset(&received[m].msg_hdr, 0, sizeof received[m].msg_hdr);
                    received[m].msg_hdr.msg_iov = &receive_vectors[m];
                    received[m].msg_hdr.msg_iovlen = 1;
                }
                int count = recvmmsg(nas->fd, received, BATCH, MSG_DONTWAIT, NULL);
                if (count <= 0) {
                    if (count < 0 && errno == ECONNREFUSED) continue;
                    break;
                }
                now = monotonic_ns();
                int64_t now_real = realtime_ns();
                for (int m = 0; m < count; m++) {
                    const uint8_t *resp = receive_buffers[m];
                    ssize_t length = received[m].msg_len;
                    if (length < 20) { bad++; continue; }
                    uint8_t id = resp[1];
                    Slot *slot = &nas->slots[id];
                    if (slot->state != SLOT_FREE && verify_answer(resp, length, slot->buf + 4)) {
                        if (slot->state == SLOT_ORIGINAL) {
                            uint64_t micros = (uint64_t)(now - slot->first_ns) / 1000;
                            if (scheduled_latencies) {
                                uint64_t waited = (uint64_t)(now - slot->scheduled_ns) / 1000;
                                scheduled_latencies[acknowledged] = waited > UINT32_MAX ? UINT32_MAX : (uint32_t)waited;
                            }
                            latencies[acknowledged++] = micros > UINT32_MAX ? UINT32_MAX : (uint32_t)micros;
                            last_ack_ns = now;
                            last_ack_real_ns = now_real;
                            outstanding--;
                            if (answer_log)
                                fprintf(answer_log, "%s%ld %d %lld\n", opt.prefix, slot->session, slot->event,
                                        (long long)(now_real / 1000));
                            if (slot->duplicate_after_answer) {
                                /* The same datagram again, as if the answer had been lost. */
                                slot->state = SLOT_DUPLICATE;
                                slot->last_ns = now;
                                duplicates_pending++;
                                enqueue(nas, id);
                                datagrams++;
                                continue;
                            }
                        } else {
                            duplicates_answered++;
                            duplicates_pending--;
                        }
                        release(nas, id);
                        continue;
                    }
                    /* A second answer to a retransmission or duplicate of an earlier request. */
                    int known = 0;
                    for (int h = 0; h < HISTORY && !known; h++) known = verify_answer(resp, length, nas->history[id][h]);
                    if (known) late++;
                    else bad++;
                }
            }
            if (nas->queue_count) flush(nas);
        }
        for (int i = 0; i < opt.nas; i++) if (nas_list[i].want_write) flush(&nas_list[i]);

        /* Retransmit what was not answered in time; give up after --retries. A duplicate is not
           retransmitted: its original was answered, so a server may as well ignore it. */
        if (now - last_scan_ns >= 10000000) {
            last_scan_ns = now;
            for (int i = 0; i < opt.nas; i++) {
                Nas *nas = &nas_list[i];
                for (int id = 0; id < IDS; id++) {
                    Slot *slot = &nas->slots[id];
                    if (slot->state == SLOT_FREE || now - slot->last_ns < timeout_ns) continue;
                    if (slot->state == SLOT_DUPLICATE) {
                        duplicates_unanswered++;
                        duplicates_pending--;
                        release(nas, (uint8_t)id);
                        continue;
                    }
                    if (slot->tries > opt.retries) {
                        lost++;
                        outstanding--;
                        release(nas, (uint8_t)id);
                        continue;
                    }
                    slot->tries++;
                    slot->last_ns = now;
                    retransmissions++;
                    datagrams++;
                    enqueue(nas, (uint8_t)id);
                }
                if (nas->queue_count) flush(nas);
            }
        }
    }
    if (timed_out) {
        lost += (uint64_t)outstanding;
        fprintf(stderr, "radius-load: %s with %d requests outstanding and %llu not sent\n",
                interrupted ? "interrupted" : "--duration-limit reached", outstanding, (unsigned long long)(total - next));
    }

    /* What the server must hold: per session, the counters of the last event sent (all of them
       unless --send-for cut the run short; the order is event-major, so sessions below
       next % sessions have one event more than the rest). */
    uint64_t expected_upload = 0, expected_download = 0;
    long expected_sessions = 0;
    for (long n = 0; n < opt.sessions; n++) {
        long events_sent = (long)(next / (uint64_t)opt.sessions) + ((uint64_t)n < next % (uint64_t)opt.sessions ? 1 : 0);
        if (events_sent == 0) continue;
        expected_sessions++;
        /* The counters of the last event sent: k times the step (a Start, k = 0, has none). */
        uint64_t last = (uint64_t)(opt.first_event + events_sent - 1);
        expected_upload += last * upload_step(n);
        expected_download += last * download_step(n);
    }

    if (answer_log && fclose(answer_log) != 0) die("cannot write --answer-log");
    double elapsed_ms = (double)(last_ack_ns - start_ns) / 1e6;
    qsort(latencies, acknowledged, sizeof(uint32_t), compare_u32);
#define PERCENTILE(q) (acknowledged ? latencies[(uint64_t)((double)(acknowledged - 1) * (q))] / 1000.0 : 0.0)
    printf("packets_per_second=%.0f\n", elapsed_ms > 0 ? (double)acknowledged * 1000.0 / elapsed_ms : 0.0);
    printf("elapsed_ms=%.1f\n", elapsed_ms);
    printf("first_send_ms=%lld\n", (long long)(start_real_ns / 1000000));
    printf("last_ack_ms=%lld\n", (long long)(last_ack_real_ns / 1000000));
    printf("offered_rate=%.0f\n", opt.rate);
    printf("latency_p50_ms=%.3f\n", PERCENTILE(0.50));
    printf("latency_p90_ms=%.3f\n", PERCENTILE(0.90));
    printf("latency_p99_ms=%.3f\n", PERCENTILE(0.99));
    printf("latency_max_ms=%.3f\n", acknowledged ? latencies[acknowledged - 1] / 1000.0 : 0.0);
    if (scheduled_latencies) {
        /* With --rate, from when the request was due: a server that falls behind makes requests
           wait for a window slot, and that wait is part of what a NAS would see. */
        qsort(scheduled_latencies, acknowledged, sizeof(uint32_t), compare_u32);
        printf("scheduled_latency_p50_ms=%.3f\n", acknowledged ? scheduled_latencies[(uint64_t)((double)(acknowledged - 1) * 0.50)] / 1000.0 : 0.0);
        printf("scheduled_latency_p99_ms=%.3f\n", acknowledged ? scheduled_latencies[(uint64_t)((double)(acknowledged - 1) * 0.99)] / 1000.0 : 0.0);
    }
    printf("requests=%llu\n", (unsigned long long)next);
    printf("not_sent=%llu\n", (unsigned long long)(total - next));
    printf("acknowledged=%llu\n", (unsigned long long)acknowledged);
    printf("datagrams=%llu\n", (unsigned long long)datagrams);
    printf("retransmissions=%llu\n", (unsigned long long)retransmissions);
    printf("duplicates=%llu\n", (unsigned long long)duplicates);
    printf("duplicates_answered=%llu\n", (unsigned long long)duplicates_answered);
    printf("duplicates_unanswered=%llu\n", (unsigned long long)duplicates_unanswered);
    printf("late_answers=%llu\n", (unsigned long long)late);
    printf("lost=%llu\n", (unsigned long long)lost);
    printf("bad_responses=%llu\n", (unsigned long long)bad);
    printf("expected_sessions=%ld\n", expected_sessions);
    printf("expected_upload_bytes=%llu\n", (unsigned long long)expected_upload);
    printf("expected_download_bytes=%llu\n", (unsigned long long)expected_download);
    /* A duplicate left unanswered loses nothing (its original was answered): reported, not failed. */
    return lost || bad ? 1 : 0;
}
