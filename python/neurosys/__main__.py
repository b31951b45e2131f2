from neurosys.cli import main

raise SystemExit(main())
