"""The course's name for the offline AWS, the `sagemaker_offline` package: `%load_ext helpers.offline`,
`with helpers.offline(): ...`, `helpers.offline.stop()`. Both names are the same module object."""
import sys

import sagemaker_offline

sys.modules[__name__] = sagemaker_offline
