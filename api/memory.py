"""An answer is freed once it is sent, not at the collector's next full pass.

DRF ties each answer into a reference cycle: the view keeps ``view.response`` and rendering puts
the answer into its own ``renderer_context``, which also holds the view. A cycle is freed only
by a collection of the generation it has reached, and an answer's body (a page of the changes
feed is 3.4 MB) and its decoded data reach the oldest one, so every answer stayed in memory until
the next full collection. With the two links cut the answer holds nothing that points back at
it, and the server's last reference frees it with everything it alone holds.
"""


class ReleaseAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)  # rendered by now (Django renders before middlewares)
        context = getattr(response, "renderer_context", None)
        if context:
            context.pop("response", None)
            view = context.get("view")
            if getattr(view, "response", None) is response:
                del view.response
        return response
