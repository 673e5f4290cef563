"""Widget builders, one small module per notebook. Each wires inputs to a plain function
elsewhere in the package and shows the result in an ``Output`` widget; no logic lives here."""
