import sys

from velotime.cli import main

sys.exit(main())
