import pytest

import relu

ALL_ISAS = ["scalar", "avx2", "avx512", "neon"]
ISAS = [isa for isa in ALL_ISAS if relu.isa_available(isa)]


def pytest_report_header(config):
    return ("relu package: %s\nlibrelu %s from %s; active ISA %s; available %s"
            % (relu.__file__, relu.__version__, relu.library_path(), relu.active_isa(),
               ", ".join(ISAS)))


@pytest.fixture(params=ISAS)
def isa(request):
    """Run the test with every kernel tier this CPU and build can run."""
    previous = relu.active_isa()
    relu.use_isa(request.param)
    try:
        yield request.param
    finally:
        relu.use_isa(previous)


@pytest.fixture
def threads():
    previous = relu.get_num_threads()
    try:
        yield
    finally:
        relu.set_num_threads(previous)
