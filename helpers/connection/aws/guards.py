"""What AWS mode adds to a learner's session (installed by `connect('aws')`): a cost notice printed before every
training, transform or endpoint request starts instances, and advice printed when an AWS call fails in a cell."""
from __future__ import annotations

from helpers.connection.aws import costs

# CreateX operation -> (kind for helpers.connection.aws.costs, where its instance type and count are in the request)
LAUNCHES = {
    "CreateTrainingJob": ("training", ("ResourceConfig", "InstanceType"), ("ResourceConfig", "InstanceCount")),
    "CreateTransformJob": ("transform", ("TransformResources", "InstanceType"), ("TransformResources", "InstanceCount")),
}


def _dig(params: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(params, dict) or key not in params:
            return None
        params = params[key]
    return params


# EndpointConfigName -> its ProductionVariants, as CreateEndpointConfig sent them through a guarded session: the
# CreateEndpoint request names only the config, and the notice prices the instances the config asked for.
_ENDPOINT_CONFIGS: dict[str, list] = {}


def remember_endpoint_config(params: dict) -> None:
    name = params.get("EndpointConfigName")
    if name:
        _ENDPOINT_CONFIGS[name] = list(params.get("ProductionVariants") or [])


def _endpoint_notice(params: dict) -> str:
    """An endpoint bills by the hour until deleted: say so, with the hourly price of the config's instances."""
    generic = ("AWS: this deploys a real-time endpoint: it is billed every hour until you delete it "
               "(see notebook 07 and the Clean up section).")
    variants = _ENDPOINT_CONFIGS.get(params.get("EndpointConfigName", ""), [])
    notices = []
    for variant in variants:
        if variant.get("ServerlessConfig"):
            notices.append("AWS: this deploys a serverless endpoint: billed per request and per second of compute "
                           f"({costs.PRICING_PAGE}); delete it when you are done.")
        elif variant.get("InstanceType"):
            try:
                notices.append(costs.launch_notice("endpoint", variant["InstanceType"],
                                                   int(variant.get("InitialInstanceCount") or 1)))
            except Exception:  # an unknown price must never block the request
                notices.append(generic)
    return "\n".join(notices) or generic


def launch_notice_for(operation: str, params: dict) -> str | None:
    """The notice for one request, or None for a request that starts no instances."""
    if operation == "CreateEndpointConfig":
        remember_endpoint_config(params)
        return None
    if operation == "CreateEndpoint":
        return _endpoint_notice(params)
    if operation not in LAUNCHES:
        return None
    kind, type_path, count_path = LAUNCHES[operation]
    instance_type, count = _dig(params, type_path), _dig(params, count_path) or 1
    if not instance_type:
        return None
    try:
        return costs.launch_notice(kind, instance_type, int(count))
    except Exception as exc:  # an unknown price must never block the request; say what we know
        return f"AWS: this starts a {kind} job on {count} x {instance_type} (no price estimate: {exc})."


def install_launch_notices(boto_session, printer=print) -> None:
    """Print the notice before each Create* request made through this boto3 session (the SDK's calls included)."""

    def before_call(model, params, **_):
        notice = launch_notice_for(model.name, params)
        if notice:
            printer(notice)

    for operation in (*LAUNCHES, "CreateEndpointConfig", "CreateEndpoint"):
        boto_session.events.register(f"before-parameter-build.sagemaker.{operation}", _from_kwargs(before_call),
                                     unique_id=f"course-launch-notice-{operation}")


def _from_kwargs(handler):
    """before-parameter-build passes the request as `params`; adapt to the handler's (model, params) form."""

    def adapter(params, model, **kwargs):
        handler(model=model, params=params, **kwargs)

    return adapter


def install_error_advice() -> bool:
    """In IPython, print helpers.connection.aws.errors advice under any AWS error a cell raises; False outside IPython."""
    from sagemaker_offline.tracebacks import ipython_shell

    shell = ipython_shell()
    if shell is None:
        return False
    from botocore.exceptions import BotoCoreError, ClientError

    from helpers.connection.aws.errors import advice_for

    def show_with_advice(shell, etype, evalue, tb, tb_offset=None):
        shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)
        advice = advice_for(evalue)
        if advice and advice not in "".join(getattr(evalue, "__notes__", [])):
            print(f"\n{advice}")

    shell.set_custom_exc((ClientError, BotoCoreError), show_with_advice)
    return True
