"""Put first on PYTHONPATH by an offline Processing job: every Python process of the job (the script and any Python it
starts) rewrites /opt/ml/... to its instance's folder (sagemaker_offline/opt_ml_paths.py), then runs the
sitecustomize this one hides, if there is one. Loads the module by path: the job's processes need not import the
sagemaker_offline package."""
import importlib.machinery
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_NAME = "_sagemaker_offline_opt_ml_paths"


def _load_paths():
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, os.path.join(os.path.dirname(_HERE), "opt_ml_paths.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]


def _run_hidden_sitecustomize():
    others = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_load_paths().install_from_environment()
_run_hidden_sitecustomize()
