"""What every peer script shares: thread settings like the Java benchmarks', argument parsing and medians."""
import argparse
import os
import statistics

import torch


def parser(description):
    """An argparse parser: --name value and --name=value, unknown options rejected, --help prints the usage."""
    return argparse.ArgumentParser(description=description, allow_abbrev=False)


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs an integer >= 1, got {text}")
    return value


def positive_ints(text):
    return [positive_int(part) for part in text.split(",")]


def setup(seed=0):
    """Threads follow OMP_NUM_THREADS, as the Java side's native libraries do; a fixed seed."""
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", str(os.cpu_count()))))
    torch.manual_seed(seed)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, OMP_WAIT_POLICY="
          f"{os.environ.get('OMP_WAIT_POLICY')}", flush=True)


def median(values):
    return statistics.median(values)
