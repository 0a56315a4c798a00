"""Runs a command and writes its peak RSS like `/usr/bin/time -v -o FILE` does
(the fallback where /usr/bin/time is missing).

    python peak_rss.py FILE command [args...]
"""
import resource
import subprocess
import sys


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    rc = subprocess.call(cmd)
    kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    with open(out, "w") as f:
        f.write(f"\tCommand being timed: \"{' '.join(cmd)}\"\n")
        f.write(f"\tMaximum resident set size (kbytes): {kb}\n")
        f.write(f"\tExit status: {rc}\n")
    sys.exit(rc)


if __name__ == "__main__":
    main()
