# imagebuilder's tests: make imagebuilder-tests (unit + fuzz smoke + boot).
#   IB_BOOT_CASES="a b"   run only these boot cases
IB_TESTS_OUT := $(TESTS_OUT)/imagebuilder
IB_UNIT_NAMES := config layout script
IB_UNIT_BINS := $(IB_UNIT_NAMES:%=$(IB_TESTS_OUT)/test_%)
IB_UNIT_CFLAGS := -std=gnu11 -g -O1 $(HOST_WARNINGS) $(HOST_SAN) -Iimagebuilder -Itests/imagebuilder
IB_FUZZ := $(IB_TESTS_OUT)/fuzz_config
IB_FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(HOST_WARNINGS) -Iimagebuilder

# Objects with -MMD: unit flavour in obj/, fuzzer flavour in fuzz-obj/; both
# depend on the compilers and options ($(IB_TESTS_OUT)/flags).
IB_UNIT_OBJS := $(patsubst %.c,$(IB_TESTS_OUT)/obj/%.o,$(IB_LIB_SRCS))
IB_UNIT_TEST_OBJS := $(IB_UNIT_NAMES:%=$(IB_TESTS_OUT)/obj/tests/imagebuilder/test_%.o)
.SECONDARY: $(IB_UNIT_TEST_OBJS) $(IB_UNIT_OBJS)
IB_FUZZ_OBJS := $(patsubst %.c,$(IB_TESTS_OUT)/fuzz-obj/%.o,tests/imagebuilder/fuzz_config.c imagebuilder/config.c imagebuilder/util.c)

IB_TESTS_FLAGS_TEXT := gcc $(IB_UNIT_CFLAGS)$(newline)clang $(IB_FUZZ_CFLAGS)
$(IB_TESTS_OUT)/flags: FORCE
	@$(call write-if-changed,$@,$(IB_TESTS_FLAGS_TEXT))

$(IB_TESTS_OUT)/obj/%.o: %.c $(IB_TESTS_OUT)/flags tests/imagebuilder/imagebuilder-tests.mk
	@mkdir -p $(dir $@)
	gcc $(IB_UNIT_CFLAGS) -MMD -MP -c -o $@ $<

$(IB_TESTS_OUT)/fuzz-obj/%.o: %.c $(IB_TESTS_OUT)/flags tests/imagebuilder/imagebuilder-tests.mk
	@mkdir -p $(dir $@)
	clang $(IB_FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(IB_TESTS_OUT)/test_%: $(IB_TESTS_OUT)/obj/tests/imagebuilder/test_%.o $(IB_UNIT_OBJS)
	gcc $(IB_UNIT_CFLAGS) -o $@ $^ -lcmocka -lfdt

$(IB_FUZZ): $(IB_FUZZ_OBJS)
	clang $(IB_FUZZ_CFLAGS) -o $@ $^

-include $(IB_UNIT_OBJS:.o=.d) $(IB_UNIT_TEST_OBJS:.o=.d) $(IB_FUZZ_OBJS:.o=.d)

# run.sh runs the unit programs named in IB_UNIT_NAMES (tests/lib/cmocka-run.sh).
.PHONY: imagebuilder-tests
imagebuilder-tests: $(IB) $(IB_UNIT_BINS) $(IB_FUZZ) $(HV_IMAGE) $(GUEST_IMAGES)
	IB_UNIT_NAMES="$(IB_UNIT_NAMES)" tests/imagebuilder/run.sh $(IB_TESTS_OUT) $(IB) $(HV_IMAGE) $(GUESTS_OUT) $(IB_BOOT_CASES)
