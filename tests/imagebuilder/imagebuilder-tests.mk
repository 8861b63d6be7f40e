# imagebuilder's tests: make imagebuilder-tests (unit + fuzz smoke + boot).
#   IB_BOOT_CASES="a b"   run only these boot cases
IB_TESTS_OUT := $(TESTS_OUT)/imagebuilder
IB_UNIT_NAMES := config layout script
IB_UNIT_BINS := $(IB_UNIT_NAMES:%=$(IB_TESTS_OUT)/test_%)
IB_UNIT_CFLAGS := -std=gnu11 -g -O1 $(HOST_WARNINGS) $(HOST_SAN) -Iimagebuilder -Itests/imagebuilder
IB_FUZZ := $(IB_TESTS_OUT)/fuzz_config
IB_FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(HOST_WARNINGS) -Iimagebuilder

$(IB_TESTS_OUT)/test_%: tests/imagebuilder/test_%.c tests/imagebuilder/fixture.h $(IB_LIB_SRCS) $(IB_HDRS) \
        tests/imagebuilder/imagebuilder-tests.mk
	@mkdir -p $(dir $@)
	gcc $(IB_UNIT_CFLAGS) -o $@ $< $(IB_LIB_SRCS) -lcmocka -lfdt

$(IB_FUZZ): tests/imagebuilder/fuzz_config.c imagebuilder/config.c imagebuilder/util.c imagebuilder/config.h \
        imagebuilder/util.h tests/imagebuilder/imagebuilder-tests.mk
	@mkdir -p $(dir $@)
	clang $(IB_FUZZ_CFLAGS) -o $@ $< imagebuilder/config.c imagebuilder/util.c

.PHONY: imagebuilder-tests
imagebuilder-tests: $(IB) $(IB_UNIT_BINS) $(IB_FUZZ) $(HV_IMAGE) $(GUEST_IMAGES)
	tests/imagebuilder/run.sh $(IB_TESTS_OUT) $(IB) $(HV_IMAGE) $(GUESTS_OUT) $(IB_BOOT_CASES)
