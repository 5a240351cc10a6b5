import pytest

from geo.coords import check_latlon, latlon_of, lonlat_of
from geo.names import normalize


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("al-Tanf", "tanf"),
        ("At Tanf", "tanf"),
        ("al Tanf", "tanf"),
        ("Deir ez-Zor", "deir zor"),
        ("Dayr az Zawr", "dayr zawr"),
        ("U.S.", "us"),
        ("Dar'a", "dara"),
        ("Dar’a", "dara"),
        ("São Paulo", "sao paulo"),
        ("Suwałki", "suwalki"),
        ("AS-SUWAYDA", "suwayda"),
        ("سوريا", ""),
    ],
)
def test_normalize_folds_spellings_alike(name, key):
    assert normalize(name) == key


def test_coordinate_order_helpers_swap_and_validate():
    assert lonlat_of(33.5, 38.6) == (38.6, 33.5)
    assert latlon_of(38.6, 33.5) == (33.5, 38.6)
    with pytest.raises(ValueError, match="latitude"):
        check_latlon(95.0, 10.0)
    with pytest.raises(ValueError, match="longitude"):
        lonlat_of(10.0, 190.0)
