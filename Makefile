# Steadfast build entry points. `make test` is what CI runs (.ci/run) on a fresh Debian 12 machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# Debian packages the build and tests need; installed only when missing.
APT_PACKAGES := pkg-config libssl-dev libopus-dev libcurl4-openssl-dev libwebsockets-dev libsrtp2-dev libspeexdsp-dev \
                libespeak-ng-dev libpocketsphinx-dev pocketsphinx-en-us espeak-ng libwebrtc-audio-processing-dev \
                golang-go golang-github-pion-webrtc.v3-dev python3 python3-venv chromium
VENV := .venv
SWIFT_FLAGS ?=

.PHONY: deps venv peers build test run clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	    | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "==> installing apt packages:" $$missing; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "==> apt packages present"; fi

# The interop venv: official LiveKit Python SDKs (and, later, aiortc) at pinned versions.
$(VENV)/.installed: Tests/Interop/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
	touch $@

venv: $(VENV)/.installed

# The pion interop peer, built offline from Debian's Go sources.
PION_PEER := .build/interop/pionpeer
$(PION_PEER): Tests/Interop/peers/pion/main.go Tests/Interop/peers/pion/build.sh
	Tests/Interop/peers/pion/build.sh $@

peers: venv $(PION_PEER)

build: deps
	swift build $(SWIFT_FLAGS)

TEST_ENV = STEADFAST_PYTHON=$(CURDIR)/$(VENV)/bin/python STEADFAST_PION_PEER=$(CURDIR)/$(PION_PEER)

test: deps peers
	swift build --build-tests $(SWIFT_FLAGS)
	@# Three runs on a 2-core machine: the wall-clock deadline, Retry-After and stall scenarios of the
	@# HTTP client and router first, alone; then the CPU-heavy rest (speech engines, VAD, DTLS);
	@# then the interop suites (WebRTC matrix, LiveKit-style servers, provider SDK conformance), whose peer processes would
	@# starve anything beside them.
	$(TEST_ENV) swift test --skip-build $(SWIFT_FLAGS) --filter '^(ProvidersTests|TransportTests)\.' --skip '^ProvidersTests\.ConformanceTests'
	$(TEST_ENV) swift test --skip-build $(SWIFT_FLAGS) --skip '^(ProvidersTests|TransportTests|InteropTests|LiveKitTests|LiveKitServerTests)\.'
	$(TEST_ENV) swift test --skip-build $(SWIFT_FLAGS) --filter '^(InteropTests|LiveKitTests|LiveKitServerTests)\.|^ProvidersTests\.ConformanceTests'
	@# A short libFuzzer smoke run of every parser target (docs/fuzzing.md): 2 s each, any finding fails.
	scripts/fuzz smoke 2

# The demo: espeak-ng speaks a question, the console runs it through VAD → STT → LLM → TTS with
# the assistant on the default chain (the local last resort when no keys are set), and writes the reply.
DEMO_QUESTION ?= What is the weather in Paris?
run: build
	@mkdir -p out
	espeak-ng -w out/question.wav "$(DEMO_QUESTION)"
	.build/debug/steadfast console --in out/question.wav --out out/reply.wav --transcript
	@echo "==> the agent's answer is in out/reply.wav (play it: aplay out/reply.wav)"

clean:
	rm -rf .build $(VENV)
