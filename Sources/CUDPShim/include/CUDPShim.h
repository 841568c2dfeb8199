// Batched UDP I/O for the collector: recvmmsg/sendmmsg are GNU extensions that Swift's
// Glibc module does not expose, so the message vectors live on the C side of this shim.
#ifndef TOLLGATE_CUDPSHIM_H
#define TOLLGATE_CUDPSHIM_H

#include <stdint.h>
#include <sys/socket.h>

/// A reusable set of datagram slots: one buffer, one peer address and one length per slot.
typedef struct tg_udp_batch tg_udp_batch;

/// Allocates a batch of `capacity` slots of `slot_size` octets each. NULL on allocation failure.
tg_udp_batch *tg_udp_batch_create(unsigned int capacity, unsigned int slot_size);
void tg_udp_batch_destroy(tg_udp_batch *batch);

unsigned int tg_udp_batch_capacity(const tg_udp_batch *batch);
unsigned int tg_udp_batch_slot_size(const tg_udp_batch *batch);

/// Receives up to `capacity` datagrams without blocking (MSG_DONTWAIT).
/// Returns the number received, 0 when none is waiting, or -errno.
int tg_udp_batch_receive(int fd, tg_udp_batch *batch);

/// The buffer of slot `index`; `length` receives the datagram's length as received.
/// A datagram longer than the slot is reported with `truncated` set.
uint8_t *tg_udp_batch_slot(tg_udp_batch *batch, unsigned int index, unsigned int *length, int *truncated);

/// The peer address of slot `index` and its length.
const struct sockaddr *tg_udp_batch_address(const tg_udp_batch *batch, unsigned int index, socklen_t *length);

/// Prepares slot `index` for sending `length` octets of its buffer to `address`.
int tg_udp_batch_prepare(tg_udp_batch *batch, unsigned int index, unsigned int length,
                         const struct sockaddr *address, socklen_t address_length);

/// Sends slots 0..<count (as prepared) with as few system calls as the kernel allows.
/// A message the kernel refuses is skipped. Returns the number sent, or -errno when none was.
int tg_udp_batch_send(int fd, tg_udp_batch *batch, unsigned int count);

/// Names the calling thread for the operating system (at most 15 octets are kept), as top -H
/// and perf show it; pthread_setname_np is a GNU extension too. Returns 0 or an errno value.
int tg_name_this_thread(const char *name);

#endif
