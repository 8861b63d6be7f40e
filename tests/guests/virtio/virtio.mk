# The virtio clients' initramfs of the boot case virtio-disk
# (tests/boot/cases-virtio.sh), from what build/fetch-xen-libs.sh fetched.
VIRTIO_CLIENT_INITRAMFS := $(TESTS_OUT)/guests/virtio/initramfs.cpio.gz

$(VIRTIO_CLIENT_INITRAMFS): tests/guests/virtio/mkinitramfs.sh tests/guests/virtio/init.sh $(DEVMODEL_FETCHED)/VERSIONS \
    $(DEVMODEL_FETCH_STAMP)
	tests/guests/virtio/mkinitramfs.sh $(DEVMODEL_FETCHED) $@

.PHONY: virtio-client
virtio-client: $(VIRTIO_CLIENT_INITRAMFS)
