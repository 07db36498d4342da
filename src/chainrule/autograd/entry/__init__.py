"""Entry points of the op families with torch's names and signatures (``cr.cumsum``,
``F.pad``, ``x.topk(3)``): they turn user arguments (tensors, arrays, scalars, ``dim=`` or
``axis=``) into the ndarray inputs of the ``Function``s in ``ops/``.

One module per family, each with an ``__all__`` that ``chainrule`` and
``chainrule.functional`` re-export; ``methods`` attaches the Tensor methods on import.
"""

from chainrule.autograd.entry import methods  # attaches the Tensor methods
