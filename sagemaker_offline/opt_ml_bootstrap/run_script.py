"""`python3 /opt/ml/processing/input/code/preprocessing.py args...` offline: the script is read from the job's folder
but runs as __main__ under its /opt/ml path (sys.argv[0], __file__, the file names in its traceback), as on AWS, where
the traceback names /opt/ml/processing/input/code/... (Developer Guide, "SageMaker Python SDK Troubleshooting",
https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-python-sdk-troubleshooting.html)."""
import builtins
import os
import sys
import types


def main():
    paths = sys.modules.get("_sagemaker_offline_opt_ml_paths")
    if paths is None or paths._ROOT is None:
        sys.exit("[offline] the /opt/ml bootstrap did not run (sitecustomize not first on PYTHONPATH, or python -S/-I)")
    script, args = sys.argv[1], sys.argv[2:]
    real = paths.real_path(script)
    with open(real, "rb") as file:
        code = compile(file.read(), script, "exec")
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(real)
    module = types.ModuleType("__main__")
    module.__file__, module.__builtins__, module.__cached__ = script, builtins, None
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    except Exception as error:  # printed from the script's frame on, as python3 script.py prints it
        error = error.with_traceback(error.__traceback__.tb_next)
        sys.excepthook(type(error), error, error.__traceback__)
        sys.exit(1)


if __name__ == "__main__":
    main()
