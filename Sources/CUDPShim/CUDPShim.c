#include "CUDPShim.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

struct tg_udp_batch {
    unsigned int capacity;
    unsigned int slot_size;
    uint8_t *buffers;
    struct iovec *iovecs;
    struct sockaddr_storage *addresses;
    struct mmsghdr *messages;
};

tg_udp_batch *tg_udp_batch_create(unsigned int capacity, unsigned int slot_size) {
    if (capacity == 0 || slot_size == 0) return NULL;
    tg_udp_batch *batch = calloc(1, sizeof(*batch));
    if (batch == NULL) return NULL;
    batch->capacity = capacity;
    batch->slot_size = slot_size;
    batch->buffers = malloc((size_t)capacity * slot_size);
    batch->iovecs = calloc(capacity, sizeof(struct iovec));
    batch->addresses = calloc(capacity, sizeof(struct sockaddr_storage));
    batch->messages = calloc(capacity, sizeof(struct mmsghdr));
    if (!batch->buffers || !batch->iovecs || !batch->addresses || !batch->messages) {
        tg_udp_batch_destroy(batch);
        return NULL;
    }
    return batch;
}

void tg_udp_batch_destroy(tg_udp_batch *batch) {
    if (batch == NULL) return;
    free(batch->buffers);
    free(batch->iovecs);
    free(batch->addresses);
    free(batch->messages);
    free(batch);
}

unsigned int tg_udp_batch_capacity(const tg_udp_batch *batch) { return batch->capacity; }
unsigned int tg_udp_batch_slot_size(const tg_udp_batch *batch) { return batch->slot_size; }

static void reset_slot(tg_udp_batch *batch, unsigned int i) {
    batch->iovecs[i].iov_base = batch->buffers + (size_t)i * batch->slot_size;
    batch->iovecs[i].iov_len = batch->slot_size;
    memset(&batch->messages[i], 0, sizeof(struct mmsghdr));
    batch->messages[i].msg_hdr.msg_iov = &batch->iovecs[i];
    batch->messages[i].msg_hdr.msg_iovlen = 1;
    batch->messages[i].msg_hdr.msg_name = &batch->addresses[i];
    batch->messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
}

int tg_udp_batch_receive(int fd, tg_udp_batch *batch) {
    for (unsigned int i = 0; i < batch->capacity; i++) reset_slot(batch, i);
    int n;
    do {
        n = recvmmsg(fd, batch->messages, batch->capacity, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    return n;
}

uint8_t *tg_udp_batch_slot(tg_udp_batch *batch, unsigned int index, unsigned int *length, int *truncated) {
    if (index >= batch->capacity) return NULL;
    if (length) *length = batch->messages[index].msg_len;
    if (truncated) *truncated = (batch->messages[index].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    return batch->buffers + (size_t)index * batch->slot_size;
}

const struct sockaddr *tg_udp_batch_address(const tg_udp_batch *batch, unsigned int index, socklen_t *length) {
    if (index >= batch->capacity) return NULL;
    if (length) *length = batch->messages[index].msg_hdr.msg_namelen;
    return (const struct sockaddr *)&batch->addresses[index];
}

int tg_udp_batch_prepare(tg_udp_batch *batch, unsigned int index, unsigned int length,
                         const struct sockaddr *address, socklen_t address_length) {
    if (index >= batch->capacity || length > batch->slot_size ||
        address_length > sizeof(struct sockaddr_storage)) {
        return -EINVAL;
    }
    reset_slot(batch, index);
    batch->iovecs[index].iov_len = length;
    memcpy(&batch->addresses[index], address, address_length);
    batch->messages[index].msg_hdr.msg_namelen = address_length;
    return 0;
}

int tg_udp_batch_send(int fd, tg_udp_batch *batch, unsigned int count) {
    if (count > batch->capacity) return -EINVAL;
    unsigned int next = 0, delivered = 0;
    int first_error = 0;
    while (next < count) {
        int n = sendmmsg(fd, batch->messages + next, count - next, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            // The message at `next` failed (unreachable peer, full buffer): skip it so one
            // bad destination does not cost the others their answers.
            if (first_error == 0) first_error = errno;
            next += 1;
            continue;
        }
        next += (unsigned int)n;
        delivered += (unsigned int)n;
    }
    if (delivered == 0 && first_error != 0) return -first_error;
    return (int)delivered;
}

int tg_name_this_thread(const char *name) {
    char cut[16];
    strncpy(cut, name, sizeof cut - 1);
    cut[sizeof cut - 1] = 0;
    return pthread_setname_np(pthread_self(), cut);
}
