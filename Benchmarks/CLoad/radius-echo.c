/*
 * radius-echo: answers every Accounting-Request on 127.0.0.1:PORT with a signed, empty
 * Accounting-Response and stores nothing: the ceiling radius-load reaches on this machine.
 *
 *   radius-echo PORT SECRET
 *
 * Build: cc -O2 -o radius-echo radius-echo.c -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BATCH 64

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: radius-echo PORT SECRET\n"); return 2; }
    const char *secret = argv[2];
    size_t secret_len = strlen(secret);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) { perror("bind"); return 2; }
    static uint8_t in[BATCH][4096], out[BATCH][20];
    struct sockaddr_in peers[BATCH];
    struct mmsghdr received[BATCH], answers[BATCH];
    struct iovec in_vectors[BATCH], out_vectors[BATCH];
    for (;;) {
        for (int m = 0; m < BATCH; m++) {
            in_vectors[m] = (struct iovec){in[m], sizeof in[m]};
            received[m].msg_hdr = (struct msghdr){.msg_name = &peers[m], .msg_namelen = sizeof peers[m],
                                                  .msg_iov = &in_vectors[m], .msg_iovlen = 1};
        }
        int count = recvmmsg(fd, received, BATCH, MSG_WAITFORONE, NULL);
        if (count <= 0) continue;
        int answered = 0;
        for (int m = 0; m < count; m++) {
            if (received[m].msg_len < 20 || in[m][0] != 4) continue;
            uint8_t *a = out[answered];
            a[0] = 5; a[1] = in[m][1]; a[2] = 0; a[3] = 20;
            MD5_CTX md5;
            MD5_Init(&md5);
            MD5_Update(&md5, a, 4);
            MD5_Update(&md5, in[m] + 4, 16);
            MD5_Update(&md5, secret, secret_len);
            MD5_Final(a + 4, &md5);
            out_vectors[answered] = (struct iovec){a, 20};
            answers[answered].msg_hdr = (struct msghdr){.msg_name = &peers[m], .msg_namelen = received[m].msg_hdr.msg_namelen,
                                                        .msg_iov = &out_vectors[answered], .msg_iovlen = 1};
            answered++;
        }
        if (answered) sendmmsg(fd, answers, (unsigned int)answered, 0);
    }
}
