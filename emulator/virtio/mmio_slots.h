/* virtio-mmio slots of the virt machine (mmio_slots.c). */
#ifndef PVKIT_VIRTIO_MMIO_SLOTS_H
#define PVKIT_VIRTIO_MMIO_SLOTS_H

struct bus;

/* Fills every slot no device has claimed with an empty transport. */
int virtio_mmio_add_empty_slots(struct bus *bus);

#endif
